/**
 * schema.prisma is the model; the SQL migrations of each dialect create it. This checks,
 * without a database, that every model's table, columns, column types, nullability and unique
 * keys appear in the SQL of both dialects (the store tests then exercise them for real).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS_DIR, migrationFiles } from '../src/store/setup.js';

interface Column {
  readonly type: string;
  readonly nullable: boolean;
}
interface Table {
  readonly columns: Map<string, Column>;
  readonly uniques: Set<string>;
}

const SCALARS = new Set(['String', 'Int', 'BigInt', 'Float', 'Boolean', 'DateTime', 'Bytes']);

function modelTables(schema: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  for (const [, model, body] of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? model!;
    const columns = new Map<string, Column>();
    const fieldColumn = new Map<string, string>();
    for (const line of body!.split('\n').map((l) => l.trim())) {
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field || line.startsWith('//') || !SCALARS.has(field[2]!) || field[3] === '[]') continue;
      const column = /@map\("([^"]+)"\)/.exec(field[4]!)?.[1] ?? field[1]!;
      fieldColumn.set(field[1]!, column);
      columns.set(column, { type: field[2]!, nullable: field[3] === '?' });
    }
    const uniques = new Set<string>();
    for (const [, fields] of body!.matchAll(/@@unique\(\[([^\]]+)\]\)/g)) {
      uniques.add(
        fields!
          .split(',')
          .map((f) => fieldColumn.get(f.trim()) ?? f.trim())
          .join(','),
      );
    }
    tables.set(table, { columns, uniques });
  }
  return tables;
}

function sqlTables(sql: string): Map<string, Table> {
  const tables = new Map<string, Table>();
  // In order: a later migration may drop a table an earlier one created.
  for (const [, dropped, name, body] of sql.matchAll(/DROP TABLE "(\w+)";|CREATE TABLE "(\w+)" \(([\s\S]*?)\n\);/g)) {
    if (dropped !== undefined) {
      tables.delete(dropped);
      continue;
    }
    const columns = new Map<string, Column>();
    for (const line of body!.split('\n').map((l) => l.trim())) {
      const column = /^"(\w+)" ([A-Z]+(?: PRECISION)?(?:\(\d+\))?)(.*)$/.exec(line);
      if (column) columns.set(column[1]!, { type: column[2]!, nullable: !/NOT NULL/.test(column[3]!) });
    }
    tables.set(name!, { columns, uniques: new Set() });
  }
  for (const [, table, cols] of sql.matchAll(/CREATE UNIQUE INDEX "\w+" ON "(\w+)"\s*\(([^)]+)\)/g)) {
    tables.get(table!)?.uniques.add(cols!.replace(/[" ]/g, ''));
  }
  return tables;
}

const TYPES: Record<'sqlite' | 'postgresql', Record<string, string[]>> = {
  sqlite: { String: ['TEXT'], Int: ['INTEGER'], BigInt: ['BIGINT'], Float: ['REAL'], Boolean: ['BOOLEAN'], DateTime: ['DATETIME'], Bytes: ['BLOB'] },
  postgresql: {
    String: ['TEXT'],
    Int: ['INTEGER', 'SERIAL'],
    BigInt: ['BIGINT'],
    Float: ['DOUBLE PRECISION'],
    Boolean: ['BOOLEAN'],
    DateTime: ['TIMESTAMP(3)'],
    Bytes: ['BYTEA'],
  },
};

describe('schema.prisma and the SQL migrations agree', () => {
  const model = modelTables(readFileSync(join(MIGRATIONS_DIR, '..', 'prisma', 'schema.prisma'), 'utf8'));

  it('reads the eight models', () => {
    expect([...model.keys()].sort()).toEqual([
      'cardano_database_snapshot',
      'certificate',
      'epoch_settings',
      'opcert_counter',
      'open_message',
      'signer_registration',
      'single_signature',
      'stake_distribution',
    ]);
  });

  for (const dialect of ['sqlite', 'postgresql'] as const) {
    it(`${dialect}: same tables, columns, types, nullability and unique keys`, () => {
      const sql = sqlTables(
        migrationFiles(dialect)
          .map((m) => m.sql)
          .join('\n'),
      );
      expect([...sql.keys()].sort()).toEqual([...model.keys()].sort());
      for (const [name, table] of model) {
        const created = sql.get(name)!;
        expect([...created.columns.keys()].sort()).toEqual([...table.columns.keys()].sort());
        for (const [column, { type, nullable }] of table.columns) {
          const actual = created.columns.get(column)!;
          expect({ table: name, column, type: TYPES[dialect][type]!.includes(actual.type) ? type : actual.type, nullable: actual.nullable }).toEqual({
            table: name,
            column,
            type,
            nullable,
          });
        }
        for (const unique of table.uniques)
          expect({ table: name, unique, present: created.uniques.has(unique) }).toEqual({ table: name, unique, present: true });
      }
    });
  }
});
