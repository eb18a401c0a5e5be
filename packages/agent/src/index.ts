export { startAgent, type AgentContext, type AgentParts, type RunningAgent } from './agent';
export { loadConfig, readConfigFile, ConfigError, TerminalConfigSchema, type TerminalConfig } from './config';
export { serveBrowserMode, startBrowserTerminal, browserModeMain, type BrowserMode, type BrowserModeOptions } from './browser-mode';
export { serveOverIpc, secureWebPreferences, runElectronTerminal, fromOwnScreen, type ElectronTerminal, type IpcSender } from './electron-main';
export { Pushes } from './pushes';
export { dispatch } from './dispatch';
export type * from './contract';
export { BRIDGE_GLOBAL, IPC_CALL, IPC_PUSH } from './contract';
export { pairWithHub, pairingPage, readCredential, writeCredential, credentialFile, AGENT_VERSION, type PairingState, type StoredCredential } from './pairing';
