import { ts } from 'ts-morph';

/**
 * With `experimentalDecorators` + `emitDecoratorMetadata`, tsc emits
 * `__metadata("design:paramtypes", [Token])` / `("design:returntype", Token)`
 * for every decorated method, evaluated right after its class is defined. A
 * class `Token` declared LATER in the same file is still in its temporal dead
 * zone then (a later namespace is still undefined), and the module throws on load (`Cannot access 'Token' before
 * initialization`) — tsc does not see it. Returns the first such class name a
 * new decorator on `member` would make tsc emit, if any.
 *
 * Only the outermost type of each annotation is serialized (`Token[]` →
 * `Array`, `Promise<Token>` → `Promise`); unions and intersections are checked
 * member by member, which is slightly conservative. A member that already has
 * a decorator already gets this metadata: adding one changes nothing.
 * A later namespace of the class's own name merges with it: that name is the
 * class, defined by then (`Box.Item` is undefined there, not a throw).
 */
export function laterClassInMetadata(sf: ts.SourceFile, cls: ts.ClassLikeDeclaration, member: ts.MethodDeclaration): string | undefined {
  if ((ts.getDecorators(member) ?? []).length > 0) return undefined;
  const later = laterClasses(sf, cls.end);
  if (cls.name !== undefined) later.delete(cls.name.text);
  if (later.size === 0) return undefined;
  const types = [...member.parameters.map((p) => p.type), member.type];
  for (const type of types) {
    for (const name of serializedNames(type)) if (later.has(name)) return name;
  }
  return undefined;
}

const cache = new WeakMap<ts.SourceFile, Array<{ name: string; start: number }>>();

function laterClasses(sf: ts.SourceFile, after: number): Set<string> {
  let classes = cache.get(sf);
  if (classes === undefined) {
    const found: Array<{ name: string; start: number }> = [];
    const visit = (node: ts.Node): void => {
      // A later namespace is a `var`, still undefined then: `ns.Inner` throws a TypeError instead.
      const named = (ts.isClassDeclaration(node) || ts.isModuleDeclaration(node)) && node.name !== undefined && ts.isIdentifier(node.name);
      if (named) found.push({ name: (node.name as ts.Identifier).text, start: node.getStart(sf) });
      ts.forEachChild(node, visit);
    };
    visit(sf);
    cache.set(sf, (classes = found));
  }
  return new Set(classes.filter((c) => c.start >= after).map((c) => c.name));
}

/**
 * The names tsc may emit for an annotation. A type alias is not followed: it
 * has no value, so tsc emits `Object` for it.
 */
function serializedNames(type: ts.TypeNode | undefined): string[] {
  if (type === undefined) return [];
  if (ts.isParenthesizedTypeNode(type)) return serializedNames(type.type);
  if (ts.isUnionTypeNode(type) || ts.isIntersectionTypeNode(type)) return type.types.flatMap(serializedNames);
  if (ts.isTypeReferenceNode(type)) {
    const name = type.typeName;
    return [ts.isIdentifier(name) ? name.text : leftmost(name)];
  }
  return [];
}

function leftmost(name: ts.QualifiedName): string {
  let left: ts.EntityName = name;
  while (ts.isQualifiedName(left)) left = left.left;
  return left.text;
}
