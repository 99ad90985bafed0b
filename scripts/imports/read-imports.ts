// Every module a source file asks for — static, type-only, re-export, dynamic import(), require() and
// require.resolve()/import.meta.resolve() — with the names it takes, parsed by the TypeScript compiler, not by a regex.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

export interface ModuleImport {
  specifier: string;
  /** Imported names; '*' for a namespace, a dynamic import, a require or a whole-module re-export. */
  names: string[];
  line: number;
}

export function readImports(file: string): ModuleImport[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: ModuleImport[] = [];
  const add = (literal: ts.Node, names: string[]) => {
    if (!ts.isStringLiteralLike(literal)) return;
    const line = source.getLineAndCharacterOfPosition(literal.getStart()).line + 1;
    found.push({ specifier: literal.text, names, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) add(node.moduleSpecifier, importedNames(node.importClause));
    else if (ts.isExportDeclaration(node) && node.moduleSpecifier) add(node.moduleSpecifier, exportedNames(node));
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, ['*']);
    } else if (ts.isCallExpression(node) && node.arguments[0] && isModuleCall(node)) add(node.arguments[0], ['*']);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function importedNames(clause: ts.ImportClause | undefined): string[] {
  if (!clause) return []; // a side-effect import takes no name
  const names = clause.name ? ['default'] : [];
  const bindings = clause.namedBindings;
  if (bindings && ts.isNamespaceImport(bindings)) names.push('*');
  if (bindings && ts.isNamedImports(bindings)) {
    for (const element of bindings.elements) names.push((element.propertyName ?? element.name).text);
  }
  return names;
}

function exportedNames(node: ts.ExportDeclaration): string[] {
  const clause = node.exportClause;
  if (!clause || ts.isNamespaceExport(clause)) return ['*'];
  return clause.elements.map((element) => (element.propertyName ?? element.name).text);
}

/** import(x), require(x), require.resolve(x), createRequire(...).resolve(x), import.meta.resolve(x). */
function isModuleCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  if (callee.kind === ts.SyntaxKind.ImportKeyword) return true;
  if (ts.isIdentifier(callee)) return callee.text === 'require';
  if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'resolve') return false;
  const owner = callee.expression.getText();
  return owner === 'import.meta' || /require/i.test(owner); // require.resolve, createRequire(url).resolve
}
