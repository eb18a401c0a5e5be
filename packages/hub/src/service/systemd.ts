import { REFUSED_EXIT_CODE } from '../integrity';
import { HUB_NODE_FLAGS } from '../node-flags';
import type { ServicePlan } from './plan';

export const UNIT_NAME = 'servicehall-hub.service';
export const UNIT_FILE = `/etc/systemd/system/${UNIT_NAME}`;
export const ENV_FILE = '/etc/servicehall/hub.env';

/** A value in an EnvironmentFile line, in double quotes; characters systemd would read specially are refused. */
function envValue(name: string, value: string): string {
  if (/["\\$`\n\r]/.test(value)) throw new Error(`${name} holds a character (" \\ $ \` or a line break) that the service's settings file cannot carry; choose another value`);
  return `"${value}"`;
}

/** The hub's settings for the service: SERVICEHALL_* from the installer's environment, with absolute paths. */
export function environmentFile(plan: ServicePlan): string {
  const lines = ['# ServiceHall hub settings, read by servicehall-hub.service (see the README, "Operating a hall\'s hub").'];
  for (const [name, value] of Object.entries(plan.env)) lines.push(`${name}=${envValue(name, value)}`);
  return lines.join('\n') + '\n';
}

/**
 * The systemd unit: restarted on failure but not when it refuses to start (a damaged database:
 * restarting cannot mend it), stopped with SIGTERM so that it closes the database cleanly, logs
 * to the journal (journald rotates them), owner-only files, and the data folder's mount required.
 */
export function systemdUnit(plan: ServicePlan): string {
  return `[Unit]
Description=ServiceHall hub${plan.hall ? ` (${plan.hall})` : ''}
Documentation=file://${plan.root}/README.md
After=network-online.target
Wants=network-online.target
RequiresMountsFor=${plan.dataDir}
StartLimitIntervalSec=300
StartLimitBurst=10

[Service]
Type=simple
User=${plan.user}
WorkingDirectory=${plan.root}
EnvironmentFile=${ENV_FILE}
ExecStart=${plan.node} ${HUB_NODE_FLAGS.join(' ')} ${plan.cli}
Restart=on-failure
RestartSec=3
RestartPreventExitStatus=${REFUSED_EXIT_CODE}
KillSignal=SIGTERM
KillMode=mixed
TimeoutStopSec=30
StandardOutput=journal
StandardError=journal
SyslogIdentifier=servicehall-hub
UMask=0077
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=full
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}
