/**
 * schema.prisma is a SQLite store's model and its SQL migrations create it: these read both as
 * tables of columns written the same way (`TYPE` or `TYPE NOT NULL`), so that a store's test can
 * check, without a database, that the two agree (`expect(sqlTableColumns(sql)).toEqual(prismaModelColumns(schema))`).
 */

/** Prisma scalar types and the SQLite column types their migrations use. */
const TYPES: Record<string, string> = { String: 'TEXT', Int: 'INTEGER', BigInt: 'BIGINT', Float: 'REAL', DateTime: 'DATETIME', Bytes: 'BLOB' };

/** Each model's table (`@@map` or the model name) and its scalar columns (`@map` or the field name). */
export function prismaModelColumns(schema: string): Map<string, Map<string, string>> {
  const model = new Map<string, Map<string, string>>();
  for (const [, name, body] of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const columns = new Map<string, string>();
    for (const line of body!.split('\n').map((l) => l.trim())) {
      const field = /^(\w+)\s+(\w+)(\?)?(.*)$/.exec(line);
      if (!field || !(field[2]! in TYPES)) continue;
      const column = /@map\("([^"]+)"\)/.exec(field[4]!)?.[1] ?? field[1]!;
      columns.set(column, `${TYPES[field[2]!]}${field[3] ? '' : ' NOT NULL'}`);
    }
    model.set(/@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? name!, columns);
  }
  return model;
}

/** Each `CREATE TABLE` of `sql` and its columns, with those `ALTER TABLE … ADD COLUMN` adds. */
export function sqlTableColumns(sql: string): Map<string, Map<string, string>> {
  const tables = new Map<string, Map<string, string>>();
  for (const [, name, body] of sql.matchAll(/CREATE TABLE "(\w+)" \(([\s\S]*?)\n\);/g)) {
    const columns = new Map<string, string>();
    for (const line of body!.split('\n').map((l) => l.trim())) {
      const column = /^"(\w+)" ([A-Z]+)(.*)$/.exec(line);
      if (column) columns.set(column[1]!, `${column[2]}${/NOT NULL/.test(column[3]!) ? ' NOT NULL' : ''}`);
    }
    tables.set(name!, columns);
  }
  // Later migrations add columns to existing tables.
  for (const [, table, column, type, rest] of sql.matchAll(/ALTER TABLE "(\w+)" ADD COLUMN "(\w+)" ([A-Z]+)([^;]*);/g)) {
    tables.get(table!)?.set(column!, `${type}${/NOT NULL/.test(rest!) ? ' NOT NULL' : ''}`);
  }
  return tables;
}
