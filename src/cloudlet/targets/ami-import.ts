// The ami target's side files, as text: the exact aws CLI calls that import the disk and register it, and import-snapshot's disk container.

export interface AmiInput {
  name: string;
  description: string;
  diskFile: string;
  diskFormat: 'vmdk' | 'raw';
  containersFile: string;
  bucket: string | null;
  keyPrefix: string;
  arch: 'x86_64' | 'aarch64';
  bootMode: 'uefi-preferred' | 'uefi' | 'legacy-bios';
  rootDevice: string;
  ena: boolean;
}

/** Not a valid bucket name (upper case), so a forgotten one fails at AWS rather than uploading somewhere. */
export const BUCKET_PLACEHOLDER = 'REPLACE-WITH-YOUR-BUCKET';

export function amiArchitecture(arch: AmiInput['arch']): 'x86_64' | 'arm64' {
  return arch === 'aarch64' ? 'arm64' : 'x86_64';
}

function s3Key(a: AmiInput): string {
  return `${a.keyPrefix}${a.diskFile}`;
}

/** import-snapshot's --disk-container: one disk in S3. */
export function renderContainers(a: AmiInput): string {
  const container = {
    Description: a.description,
    Format: a.diskFormat.toUpperCase(),
    UserBucket: { S3Bucket: a.bucket ?? BUCKET_PLACEHOLDER, S3Key: s3Key(a) },
  };
  return JSON.stringify(container, null, 2) + '\n';
}

function shq(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The two EC2 calls as argument vectors; `$task` and `$snapshot` are shell variables the script sets between them. */
export function amiCalls(a: AmiInput): { importSnapshot: string[]; registerImage: string[] } {
  return {
    importSnapshot: ['aws', 'ec2', 'import-snapshot', '--description', a.description, '--disk-container', `file://${a.containersFile}`, '--query', 'ImportTaskId', '--output', 'text'],
    registerImage: [
      'aws', 'ec2', 'register-image',
      '--name', a.name,
      '--description', a.description,
      '--architecture', amiArchitecture(a.arch),
      '--boot-mode', a.bootMode,
      '--virtualization-type', 'hvm',
      '--root-device-name', a.rootDevice,
      '--block-device-mappings', `DeviceName=${a.rootDevice},Ebs={SnapshotId=$snapshot,DeleteOnTermination=true}`,
      a.ena ? '--ena-support' : '--no-ena-support',
    ],
  };
}

/** Quotes each argument for sh; the one holding `$snapshot` in double quotes so the shell fills it in. */
function commandLine(argv: readonly string[]): string {
  return argv.map((a) => (a.includes('$snapshot') ? `"${a}"` : /^[A-Za-z0-9_./:=-]+$/.test(a) ? a : shq(a))).join(' ');
}

export function renderImportScript(a: AmiInput): string {
  const calls = amiCalls(a);
  const lines = [
    '#!/bin/sh',
    `# Imports ${a.diskFile} into Amazon EC2 as an AMI: upload to S3, import-snapshot, register-image.`,
    '# Written by cloudlet bake; nothing has been uploaded yet. Needs the AWS CLI, credentials and the',
    '# vmimport service role with access to the bucket (EC2 VM Import/Export).',
    `#   architecture ${amiArchitecture(a.arch)}, boot mode ${a.bootMode}${a.bootMode === 'uefi-preferred' ? ' (the disk boots with UEFI and with legacy BIOS)' : ''},`,
    `#   root device ${a.rootDevice}, ENA support ${a.ena ? 'on' : 'off'}, virtualization hvm.`,
    'set -eu',
    'cd "$(dirname "$0")"',
    `bucket=${shq(a.bucket ?? BUCKET_PLACEHOLDER)}`,
    `case $bucket in *[!a-z0-9.-]*) echo "$bucket is not an S3 bucket name: bake with --option ami.bucket=NAME, or set it here and in ${a.containersFile}" >&2; exit 2 ;; esac`,
    `aws s3 cp ${shq(a.diskFile)} "s3://$bucket/${s3Key(a)}"`,
    `task=$(${commandLine(calls.importSnapshot)})`,
    // `aws ec2 wait snapshot-imported` gives up after ten minutes; an import of a large disk takes longer.
    'while :; do',
    `  status=$(aws ec2 describe-import-snapshot-tasks --import-task-ids "$task" --query 'ImportSnapshotTasks[0].SnapshotTaskDetail.Status' --output text)`,
    '  case $status in completed) break ;; active|pending) sleep 15 ;; *) echo "import-snapshot $task ended $status" >&2; exit 1 ;; esac',
    'done',
    `snapshot=$(aws ec2 describe-import-snapshot-tasks --import-task-ids "$task" --query 'ImportSnapshotTasks[0].SnapshotTaskDetail.SnapshotId' --output text)`,
    commandLine(calls.registerImage),
    '',
  ];
  return lines.join('\n');
}
