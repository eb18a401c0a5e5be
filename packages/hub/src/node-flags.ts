/**
 * The options of the Node process the hub runs in, wherever it is started: the service's systemd
 * unit and the Windows service (service/), `npm run hub` and `npm run demo`, and the hub processes of
 * the tests and benches (testing/hub-process.ts). A test holds the package's scripts to them.
 *
 * `--initial-old-space-size=512`: V8 collects the old generation (a full mark-compact) once it holds
 * 512 MB, rather than at V8's own limit of about twice what lived there after the last one. A hub
 * keeps about 60 to 250 MB alive (today's view, the statements, the caches), and its commands move 1
 * to 20 MB a second of objects that outlive a young collection into the old generation, most of them
 * dead soon after (a command's events and answer on their way, the waits' boards). With V8's limit
 * a busy hub collected the old generation every 5 to 7 seconds, each holding its thread for a last
 * pause of 4 to 37 ms and incremental marking steps of up to 24 ms, past the terminals' 10 ms (traced
 * with --trace-gc, docs/performance.md "The old generation"). At 512 MB such collections come a few
 * times rarer under the benches' loads and seldom in a hall's day; what the hub may hold is about
 * 0.6 GB, well within a hall's server.
 */
export const HUB_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=512'];
