import { Flags } from '@oclif/core';
import { BaseCommand } from '../base-command.js';
import { ndjson } from '../views/json.js';

export default class Version extends BaseCommand {
  static summary = 'Show the version of peerscope, Node.js and the platform (also -v, --version)';
  static examples = ['<%= config.bin %> version', '<%= config.bin %> version --json'];
  static flags = { json: Flags.boolean({ description: 'one JSON record' }) };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    if (!flags.json) return this.log(this.config.userAgent);
    ndjson((line) => process.stdout.write(line))('version', {
      name: this.config.name, version: this.config.version, node: process.versions.node, platform: process.platform, arch: process.arch,
      plugins: this.config.getPluginsList().filter((p) => p.type !== 'core').map((p) => ({ name: p.name, version: p.version, type: p.type })),
    });
  }
}
