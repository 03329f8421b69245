// Takes the members marked `@internal` out of the classes and interfaces the package's entries export, in the
// emitted declarations (dist/**/*.d.ts): `TracingClient.startSpan` and its kind are called across the library's own
// modules, so they are public in TypeScript's sense, but a user who saw them in an editor could come to rely on them.
//
// Why not `stripInternal`: it also strips every `@internal` export of the library's internal modules, which other
// internal declarations import — the declarations then fail to type-check (25 errors in 12 files, tried). Members
// of exported classes are referenced by no declaration (checked here: the build fails if a trimmed file, or any
// declaration, then has an error), so taking them out changes nothing but what users see.
import { Node, Project } from 'ts-morph';

const ENTRIES = ['dist/index.d.ts', 'dist/edge.d.ts'];

const project = new Project({ compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, types: ['node'] } });
for (const entry of ENTRIES) project.addSourceFileAtPath(entry);
project.resolveSourceFileDependencies();

const isInternal = (member) => member.getJsDocs?.().some((doc) => doc.getTags().some((tag) => tag.getTagName() === 'internal')) ?? false;

const trimmed = new Map();
for (const entry of ENTRIES) {
  for (const declarations of project.getSourceFileOrThrow(entry).getExportedDeclarations().values()) {
    for (const declaration of declarations) {
      if (!Node.isClassDeclaration(declaration) && !Node.isInterfaceDeclaration(declaration)) continue;
      for (const member of declaration.getMembers().filter(isInternal)) {
        const file = declaration.getSourceFile();
        (trimmed.get(file) ?? trimmed.set(file, []).get(file)).push(`${declaration.getName()}.${member.getName?.() ?? member.getKindName()}`);
        member.remove();
      }
    }
  }
}

const errors = project.getPreEmitDiagnostics().filter((diagnostic) => diagnostic.getCategory() === 1);
if (errors.length > 0) {
  console.error(project.formatDiagnosticsWithColorAndContext(errors.slice(0, 10)));
  console.error(`trim-internal-members: the declarations do not type-check with ${[...trimmed.values()].flat().join(', ')} taken out`);
  process.exit(1);
}
for (const file of trimmed.keys()) file.saveSync();
console.log(`trim-internal-members: ${[...trimmed.values()].flat().length} @internal members taken out of the shipped declarations`);
