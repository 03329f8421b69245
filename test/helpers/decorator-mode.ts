import 'reflect-metadata';

/** Which decorator mode this file was compiled with, learnt from how a decorator is called. */
export let decoratorMode: 'legacy' | 'tc39' = 'legacy';
function Probe(...args: unknown[]): void {
  const second = args[1];
  decoratorMode = second !== null && typeof second === 'object' && 'kind' in second ? 'tc39' : 'legacy';
}

export function detectDecoratorMode(): 'legacy' | 'tc39' {
  class Probed {
    @(Probe as any)
    method(): void {}
  }
  void Probed;
  return decoratorMode;
}

/** A dual-mode decorator that stores reflect-metadata on the method function, as NestJS's @SetMetadata does. */
export function SetFunctionMetadata(key: string, value: unknown) {
  return ((...args: any[]) => {
    if (args.length === 2) {
      Reflect.defineMetadata(key, value, args[0]);
      return args[0];
    }
    Reflect.defineMetadata(key, value, args[2].value);
    return args[2];
  }) as any;
}
