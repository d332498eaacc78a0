import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Finds promises nobody handles, with the type checker (what typescript-eslint's no-floating-promises and
 * no-misused-promises report; the project has no ESLint):
 * - a statement whose value is a promise, unless it ends in `.catch(handler)` or `.then(onOk, onError)`, or
 *   stores the promise (`x = p`) for someone to await;
 * - `void p` anywhere, when `p` is a promise: `void` hides a rejection instead of saying what it means;
 * - an async function (or one returning a promise) passed where a callback returning nothing is expected
 *   (timers, event listeners): whoever calls it drops the promise.
 * Answers `file:line: text` per finding, for files that `include` accepts.
 */
export function floatingPromises(rootFiles: string[], include: (file: string) => boolean): string[] {
  const configPath = resolve('tsconfig.json');
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (!parsed) throw new Error('cannot read tsconfig.json');
  const program = ts.createProgram(rootFiles.map((f) => resolve(f)), parsed.options);
  const checker = program.getTypeChecker();
  const base = dirname(configPath);

  const isPromise = (t: ts.Type): boolean => (t.isUnion() ? t.types.some(isPromise) : t.getProperty('then') !== undefined);
  const handled = (e: ts.Expression): boolean => {
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression)) return false;
    const method = e.expression.name.text;
    return (method === 'catch' && e.arguments.length >= 1) || (method === 'then' && e.arguments.length >= 2);
  };
  const returnsNothing = (fnType: ts.Type | undefined): boolean => {
    const sigs = fnType?.getNonNullableType().getCallSignatures() ?? [];
    return sigs.length > 0 && sigs.every((s) => (checker.getReturnTypeOfSignature(s).flags & ts.TypeFlags.Void) !== 0);
  };

  const found: string[] = [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || !include(sf.fileName)) continue;
    const report = (node: ts.Node, what: string) => {
      const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
      found.push(`${relative(base, sf.fileName)}:${line + 1}: ${what}: ${node.getText(sf).replace(/\s+/g, ' ').slice(0, 90)}`);
    };
    const visit = (node: ts.Node): void => {
      if (ts.isExpressionStatement(node) && !ts.isVoidExpression(node.expression)) {
        if (isPromise(checker.getTypeAtLocation(node.expression)) && !handled(node.expression)) report(node, 'promise not handled');
      }
      if (ts.isVoidExpression(node) && isPromise(checker.getTypeAtLocation(node.expression)) && !handled(node.expression)) {
        report(node, 'promise voided');
      }
      if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && (ts.isCallExpression(node.parent) || ts.isNewExpression(node.parent))) {
        const sig = checker.getSignatureFromDeclaration(node);
        if (sig && isPromise(checker.getReturnTypeOfSignature(sig)) && returnsNothing(checker.getContextualType(node))) {
          report(node, 'async callback where nothing awaits it');
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return found;
}
