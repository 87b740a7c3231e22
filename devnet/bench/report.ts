/** The bench's printed table: rows grouped by section, with a target and PASS/MISS where there is one. */

interface Row {
  readonly what: string;
  readonly figure: string;
  readonly target: string;
  readonly met: boolean | undefined;
}

const SECTIONS = {
  setup: 'setup',
  registration: 'registration rounds (through the signer gateway, certifier and aggregator)',
  signerSide: "signers' own work (worker threads on this machine; each SPO does its own on its machine)",
  round: 'signing round MithrilStakeDistribution(e0+2)',
  memory: 'memory',
} as const;

export function seconds(value: number): string {
  return `${value.toFixed(2)} s`;
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

export class Report {
  readonly #rows = new Map<keyof typeof SECTIONS, Row[]>();

  #add(section: keyof typeof SECTIONS, what: string, figure: string, target = '', met?: boolean): void {
    const rows = this.#rows.get(section) ?? [];
    rows.push({ what, figure, target, met });
    this.#rows.set(section, rows);
  }

  setup(what: string, figure: string): void {
    this.#add('setup', what, figure);
  }

  registration(what: string, figure: string): void {
    this.#add('registration', what, figure);
  }

  signerSide(what: string, figure: string): void {
    this.#add('signerSide', what, figure);
  }

  round(what: string, figure: string, target?: string, met?: boolean): void {
    this.#add('round', what, figure, target, met);
  }

  memory(what: string, figure: string, target?: string, met?: boolean): void {
    this.#add('memory', what, figure, target, met);
  }

  get allMet(): boolean {
    return [...this.#rows.values()].flat().every((row) => row.met !== false);
  }

  render(title: string): string {
    const lines = [`\n${title}\n`, '| measurement | figure | target | status |', '|---|---|---|---|'];
    for (const [section, label] of Object.entries(SECTIONS) as [keyof typeof SECTIONS, string][]) {
      const rows = this.#rows.get(section);
      if (rows === undefined) continue;
      lines.push(`| **${label}** | | | |`);
      for (const row of rows) lines.push(`| ${row.what} | ${row.figure} | ${row.target} | ${row.met === undefined ? '' : row.met ? 'PASS' : 'MISS'} |`);
    }
    return lines.join('\n');
  }
}
