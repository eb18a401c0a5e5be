/**
 * What the hub's operator reads (the command line, the service's log): Chinese first, English
 * second, each a sentence that says what happened and what to do next (H-14's civil tone).
 */
export const OPS_TEXT = {
  'zh-CN': {
    damaged: '大厅数据库 {file} 已损坏（{problem}）。主机没有使用它，也没有改动它。',
    damagedWhileServing: '大厅数据库 {file} 已损坏（{problem}）：主机运行中的完整检查发现了它，主机已停止接受命令。',
    optionValue: '命令选项 --{name} 后面缺少它的值（如 --{name} {example}）。',
    backupWhere: '没有说明把备份放到哪里：请设置 SERVICEHALL_BACKUP_DIR，或写 --to 文件夹。',
    backupsWhere: '没有说明备份在哪里：请设置 SERVICEHALL_BACKUP_DIR，或写 --in 文件夹。',
    restoreWhich: '没有说明要恢复哪个备份：npm run hub -- restore 备份文件（npm run hub -- backups 列出已有的备份）。',
    unknownCommand: '主机没有“{command}”这个命令。不带命令时主机开始运行；它的命令有 {commands}。',
    backupUnlisted: '{manifest} 没有列出：{problem}。它所说的备份不能用来恢复；请换用其他备份，并查看备份文件夹所在的磁盘或网络共享。',
    checkUnfinished: '主机运行中对大厅数据库 {file} 的完整检查没能做完（{reason}）：这不说明数据库已损坏，主机照常运行，不需要恢复备份。{minutes} 分钟后再检查一次；若一再如此，请检查磁盘和内存。',
    restoreNewest: '请先停止主机服务，再用最新的备份恢复：npm run hub -- restore {backup}',
    noBackup: '在 {dir} 中没有找到可用的备份。请把最近的备份文件放到该文件夹，或用 npm run hub -- restore 备份文件 恢复。',
    noBackupDir: '没有设置备份文件夹（SERVICEHALL_BACKUP_DIR）。请找到最近的备份文件，用 npm run hub -- restore 备份文件 恢复。',
    otherHub: '另一个主机进程（pid {pid}，{since} 起）正在使用数据文件夹 {dir}。同一个数据库只能有一个主机写入；请先停止它（如 systemctl stop servicehall-hub）。',
    uncleanStop: '主机上次没有正常停止（pid {pid}）：正在完整检查数据库。',
    backupDone: '备份完成：{file}（事件序号 {seq}，{size}，{ms} 毫秒，完整性检查通过）',
    backupFailed: '备份失败，已有的备份未受影响：{reason}',
    backupParentMissing: '备份文件夹 {dir} 所在的 {parent} 不存在，没有进行备份，也没有建立任何文件夹：网络共享或备份磁盘可能没有挂载。已有的备份未受影响。',
    scheduledBackupNoParent: '定时备份没有进行：备份文件夹 {dir} 所在的 {parent} 不存在，网络共享或备份磁盘可能没有挂载；主机不会在本机磁盘上建立这条路径。请挂载它（如写入 /etc/fstab），或在 SERVICEHALL_BACKUP_DIR 中写明已有文件夹中的一个文件夹。已有的备份未受影响；{minutes} 分钟后按时再试。',
    backupBad: '备份文件 {file} 未通过检查（{problem}），已将其删除；已有的备份未受影响。',
    notABackup: '{file} 不是可用的大厅数据库备份（{problem}）。数据文件夹没有被改动。',
    badManifest: '{file} 的清单 {manifest} 已损坏（{problem}）。清单记录着保护这个备份的校验值，没有它无法确认备份完好，所以没有恢复。数据文件夹没有被改动；请换用另一个备份。',
    checksumMismatch: '{file} 的内容与其清单中记录的校验值不一致，可能已在存储中损坏。数据文件夹没有被改动；请换用另一个备份。',
    newerSchema: '{file} 来自更新版本的 ServiceHall（数据库版本 {version}，本程序最高支持 {known}）。请先升级本程序。',
    restored: '已恢复：{file}（事件序号 {seq}，备份时间 {at}）。原数据库已保留在 {kept}。',
    restoredNext: '现在可以启动主机（如 systemctl start servicehall-hub）；各终端会自行赶上恢复后的记录。备份之后发出的号码不在恢复的数据库中。',
    restoreNoRoom: '无法把备份写入数据文件夹 {dir}（{problem}）：它所在的磁盘可能已满或只读。没有恢复，原数据库没有改动，已开始的副本已删除。请腾出磁盘空间（至少 {size}；若原数据库需复制保留，还要更多）后再恢复。',
    running: '主机正在运行（pid {pid}）：请先停止主机服务，再恢复。',
    archiveYear: '要归档的年份应为四位数字，如 2025，而不是“{year}”。',
    archiveRunning: '主机正在数据文件夹 {dir} 上运行（pid {pid}）：归档会改写数据库，请先停止主机服务。',
    archiveNoDatabase: '{dir} 中没有大厅数据库。请确认 SERVICEHALL_DATA 指向主机的数据文件夹。',
    archivedAlready: '{file} 已经存在：{year} 年已归档过。',
    archiveNotEnded: '{year} 年在本大厅还没有结束，结束后才能归档。',
    archiveNothing: '大厅数据库中没有 {year} 年的记录。',
    archiveOldestFirst: '大厅数据库中还有 {oldest} 年的记录：请先归档最早的一年。',
    badToken: '{where} 中的大厅令牌不能使用（{problem}）。请不设 SERVICEHALL_TOKEN 并删除 admin-token 文件，让主机生成一个足够强的令牌；或给出一行 16 到 200 个字母、数字和标点组成、至少有 8 个不同字符的令牌。',
    keyMissing: '大厅密钥 {key} 不见了，而这个数据库是用它加密的：主机不会另造一个（那样已存的申请人信息就再也无法读出）。请从备份中取回 hall.key，或在 SERVICEHALL_KEY_FILE 中写明它的位置。',
    keyOfAnother: '大厅密钥文件与这个数据库不配套（它是另一个密钥）。请取回与这个数据库一起生成的 hall.key（参见 SERVICEHALL_KEY_FILE）；数据库没有被改动。',
    emptyDatabase: '{file} 是空文件（0 字节），但这个文件夹以前有过大厅（{signs}）：主机不会在它上面开始一个新大厅（那样会重复发出今天已发的号码）。请用备份恢复 hall.db；如确要开始新大厅，请删除这个空文件。',
    badSetting: '主机的运行设置有误，没有启动：{problem}。请改正服务的设置（/etc/servicehall/hub.env 或 Windows 服务的环境变量）后再启动；数据没有被改动。',
    promoteSetting: '设置有误，没有请本机主机接管：{problem}。请用主机服务的设置（/etc/servicehall/hub.env 或 Windows 服务的环境变量）再运行 npm run hub -- promote；什么都没有改动。',
    capsLowered: '主机进程最多能打开 {limit} 个文件（网络连接也算在内）：主机把 {name} 从 {from} 降到 {to}，给数据库、日志和终端的连接留出余地。如需更多，请提高服务的打开文件上限（systemd 的 LimitNOFILE，或 ulimit -n）后重启主机。',
    anyProxy: 'SERVICEHALL_TRUST_PROXY=1：主机相信任何客户端在 X-Forwarded-For 中自报的地址，大厅网络上的任何人每次请求都能换一个地址，绕过按地址的限制（验证码、取号、投诉）。请改为写明代理服务器的地址，如 SERVICEHALL_TRUST_PROXY={example}。',
    cannotListen: '主机无法在 {address} 的端口 {port} 上监听（{problem}）：该端口可能已被另一个程序（或另一个主机）占用，或该地址不属于本机。请停止占用它的程序，或用 SERVICEHALL_PORT、SERVICEHALL_HOST 另选端口和地址。',
    tlsFiles: '主机的证书 {cert} 和私钥 {key} 不能使用（{problem}）：它们应是 init-tls 生成的一对 PEM 文件。请运行 npm run hub -- init-tls 重新生成，或在 SERVICEHALL_TLS_CERT 和 SERVICEHALL_TLS_KEY 中写明正确的文件。',
    otherHallKey: '{file} 是用另一个大厅密钥加密的备份（可能来自另一个大厅，或来自更换密钥之前），与 {key} 不配套，恢复后主机无法启动。数据文件夹没有被改动；请换用本大厅的备份，或同时取回与该备份配套的 hall.key。',
    unreadable: '主机无法读取大厅数据库 {file}（{problem}）：它所在的磁盘可能已满或只读，主机可能没有读写它的权限，或另一个程序正占用它。数据库没有被改动，不需要恢复备份；请腾出磁盘空间、改正权限或关闭占用它的程序，再启动主机。',
    dataFolder: '数据文件夹 {dir} 无法创建或写入（{problem}）。请确认 SERVICEHALL_DATA 指向一个文件夹，它所在的磁盘已挂载、可写，且主机的运行账号有权读写它。',
    backupDirNotFolder: '{dir}（{where}）是一个文件，不是文件夹，而备份放在文件夹中。请在 {where} 中写明一个文件夹。什么都没有改动。',
    backupDirMissing: '备份文件夹 {dir}（{where}）不存在{parent}。请确认路径写对了，网络共享或备份磁盘已经挂载。什么都没有改动。',
    backupDirDenied: '无法读写备份文件夹 {dir}（{problem}）。请确认运行本命令的账号有权读写它。什么都没有改动。',
    backupNoDatabase: '{dir} 中没有大厅数据库（{file}），没有可备份的内容。请确认 SERVICEHALL_DATA 指向主机的数据文件夹。',
    notHallKey: '{file} 不是大厅密钥文件（应为一行 64 位十六进制数字），主机没有改动它。请从备份中取回 hall.key，或在 SERVICEHALL_KEY_FILE 中写明它的正确位置。',
    clockBehind: '这台电脑的时钟比大厅已记录的时间慢了约 {minutes} 分钟（时钟被调回，或接管自时钟较快的主机）。主机的时间不倒退：它从已记录的时间以一半的速度往下走，排队次序不受影响，其间量出的时长（办理、重呼的间隔）按一半计；电脑的时钟追上它以后（约为调回量的两倍时间）主机再随电脑的时钟走。请检查这台电脑的时间同步（NTP）。',
    clockFarBehind: '这台电脑的时钟比大厅已记录的时间慢了约 {hours} 小时，相差太大，不像是校准时钟，更像是日期设错了：主机随电脑的时钟走，但新号票可能排在已在等候的号票之前，等候和办理时长可能为负。请立即检查这台电脑的日期和时间。',
    clockCaughtUp: '这台电脑的时钟已追上大厅已记录的时间，主机又随电脑的时钟走。',
    diskFull: '{why}：大厅数据库 {file} 写不进去，主机拒绝命令（507 disk-full，终端请市民到服务台人工办理），已答复的号码和记录都在，数据库没有损坏。每 {seconds} 秒再试一次，磁盘能写入后主机自行恢复。请腾出磁盘空间，或检查磁盘是否变为只读或出错。',
    diskWritable: '大厅数据库又能写入了（写不进去持续了 {seconds} 秒），主机照常接受命令。',
    databaseGone: '大厅数据库 {file} 在主机运行时被删除或移走了（数据文件夹可能被删除，或磁盘被卸下）。主机不再接受命令（终端请市民到服务台人工办理），并把它仍打开着的数据库（含已答复的每一个号码）保存为 {saved}。请确认它在数据文件夹中名为 hall.db，放回 hall.key（如果它也不见了，用安装时另存的那份），再重启主机服务。',
    databaseGoneUnsaved: '大厅数据库 {file} 在主机运行时被删除或移走了，主机不再接受命令，也没能把它保存到别处。请不要停止主机进程：先恢复数据文件夹所在的磁盘，再联系技术支持；否则请用最新的备份恢复。',
    logUnwritable: '主机的日志文件 {file} 写不进去（{problem}）：它所在的磁盘可能已满或只读。主机照常运行；新的日志暂存在内存中（最多 16 MB），磁盘腾出空间后再写入文件。请腾出磁盘空间或检查磁盘。',
    logWritableAgain: '主机的日志文件 {file} 又能写入了，{held}。',
    codesSpent: '今天已发出 {n} 条手机验证码，达到大厅每天的上限（catalogue 的 phone.codesPerDay）：今天不再发送，手机上的群众被请到取号机取号。若今天群众用手机确实多，请在管理控制台“大厅设置 → 手机与预约”中提高上限；若并非如此，可能有人在用本大厅的短信通道向大量号码发送验证码。今天要验证码最多的地址：{top}。',
  },
  en: {
    damaged: 'The hall database {file} is damaged ({problem}). The hub has neither used nor changed it.',
    damagedWhileServing: 'The hall database {file} is damaged ({problem}): the whole check the hub runs while serving found it, and the hub has stopped taking commands.',
    optionValue: '--{name} needs a value (e.g. --{name} {example}).',
    backupWhere: 'say where to put the backup: SERVICEHALL_BACKUP_DIR, or --to FOLDER',
    backupsWhere: 'say where the backups are: SERVICEHALL_BACKUP_DIR, or --in FOLDER',
    restoreWhich: 'name the backup to restore: npm run hub -- restore FILE (npm run hub -- backups lists them)',
    unknownCommand: 'unknown command "{command}": the hub takes none (it runs), or {commands}',
    backupUnlisted: '{manifest} is not listed: {problem}. The backup it speaks of cannot be restored; use another, and look at the disk or share the backups are on.',
    checkUnfinished: 'The whole check of the hall database {file} that the hub runs while serving could not finish ({reason}): this says nothing of damage, the hub goes on serving and no restore is needed. It is tried again in {minutes} minutes; should this keep happening, look at the disk and the memory.',
    restoreNewest: 'Stop the hub service, then restore the newest backup: npm run hub -- restore {backup}',
    noBackup: 'No usable backup was found in {dir}. Put the latest backup file there, or restore it with npm run hub -- restore FILE.',
    noBackupDir: 'No backup folder is set (SERVICEHALL_BACKUP_DIR). Find the latest backup file and restore it with npm run hub -- restore FILE.',
    otherHub: 'Another hub process (pid {pid}, since {since}) is using the data folder {dir}. Only one hub may write to a database; stop it first (e.g. systemctl stop servicehall-hub).',
    uncleanStop: 'The hub did not stop cleanly last time (pid {pid}): checking the whole database.',
    backupDone: 'Backup done: {file} (event {seq}, {size}, {ms} ms, integrity check passed)',
    backupFailed: 'The backup failed; the backups already made are untouched: {reason}',
    backupParentMissing: '{parent}, where the backup folder {dir} would be, does not exist: no backup was taken and no folder was made. The network share or the backup disk may not be mounted. The backups already made are untouched.',
    scheduledBackupNoParent: 'The scheduled backup was not taken: {parent}, where the backup folder {dir} would be, does not exist; the network share or the backup disk may not be mounted, and the hub does not make that path on its own disk. Mount it (e.g. in /etc/fstab), or name in SERVICEHALL_BACKUP_DIR a folder inside one that exists. The backups already made are untouched; it is tried again in {minutes} minutes.',
    backupBad: 'The backup file {file} failed its check ({problem}) and was removed; the backups already made are untouched.',
    notABackup: '{file} is not a usable hall database backup ({problem}). The data folder was not changed.',
    badManifest: 'The manifest {manifest} of {file} is damaged ({problem}). It holds the checksum that guards the backup, and without it the backup cannot be known whole, so it was not restored. The data folder was not changed; use another backup.',
    checksumMismatch: 'The content of {file} does not match the checksum in its manifest: it may have been damaged in storage. The data folder was not changed; use another backup.',
    newerSchema: '{file} comes from a newer ServiceHall (database version {version}; this one knows up to {known}). Upgrade ServiceHall first.',
    restored: 'Restored {file} (event {seq}, taken {at}). The previous database is kept in {kept}.',
    restoredNext: 'Start the hub now (e.g. systemctl start servicehall-hub); terminals catch up with the restored log by themselves. Numbers issued after the backup are not in the restored database.',
    restoreNoRoom: 'The backup could not be written into the data folder {dir} ({problem}): its disk may be full or read-only. Nothing was restored, the database there is as it was, and the copy begun was removed. Free space on the disk (at least {size}; more where the old database must be copied aside) and restore again.',
    running: 'The hub is running (pid {pid}): stop the hub service before restoring.',
    archiveYear: 'The year to archive is four digits, like 2025, not "{year}".',
    archiveRunning: 'The hub is running on {dir} (process {pid}): stop it first, the archive rewrites the database.',
    archiveNoDatabase: 'There is no hall database in {dir}. Check that SERVICEHALL_DATA names the hub’s data folder.',
    archivedAlready: '{file} exists already: {year} was archived.',
    archiveNotEnded: '{year} has not ended yet in the hall; it can be archived once it has.',
    archiveNothing: 'The hall database holds nothing of {year}.',
    archiveOldestFirst: 'The hall database still holds {oldest}: archive the oldest year first.',
    badToken: 'The hall token given in {where} {problem}. Leave SERVICEHALL_TOKEN unset and remove the admin-token file to have the hub make a strong one, or give one of 16 to 200 letters, digits and punctuation on one line.',
    keyMissing: 'The hall key {key} is missing, and this database was sealed with it: the hub will not make another (the applicants stored could never be read again). Restore hall.key from its backup, or name where it is in SERVICEHALL_KEY_FILE.',
    keyOfAnother: 'The hall key file does not belong to this database (it is another key). Bring back the hall.key that was made with this database (see SERVICEHALL_KEY_FILE); the database was not changed.',
    emptyDatabase: '{file} is empty (0 bytes) but this folder held a hall before ({signs}): the hub will not start a new hall over it (it would issue today’s numbers again). Restore hall.db from its backup; to start a new hall on purpose, remove the empty file.',
    badSetting: 'A setting of the hub is wrong, and it did not start: {problem}. Put the service’s settings right (/etc/servicehall/hub.env, or the Windows service’s environment) and start it again; no data was changed.',
    promoteSetting: 'A setting is wrong, and the hub on this machine was not asked to take charge: {problem}. Run npm run hub -- promote again with the hub service’s settings (/etc/servicehall/hub.env, or the Windows service’s environment); nothing was changed.',
    capsLowered: "The hub's process may open {limit} files (connections count as files): the hub lowered {name} from {from} to {to}, keeping room for its database, its log and the terminals' links. For more, raise the service's limit of open files (systemd's LimitNOFILE, or ulimit -n) and restart the hub.",
    anyProxy: 'SERVICEHALL_TRUST_PROXY=1: the hub believes the address any client claims in X-Forwarded-For, so anyone on the hall\'s network can take a new address at each request and pass every limit kept per address (SMS codes, numbers, complaints). Name the proxy\'s address instead, e.g. SERVICEHALL_TRUST_PROXY={example}.',
    cannotListen: 'The hub cannot listen on {address} port {port} ({problem}): another program (or another hub) may hold the port, or the address is not this machine’s. Stop that program, or choose another port and address with SERVICEHALL_PORT and SERVICEHALL_HOST.',
    tlsFiles: 'The hub’s certificate {cert} and key {key} cannot be used ({problem}): they are a pair of PEM files as init-tls makes them. Run npm run hub -- init-tls to make them again, or name the right files in SERVICEHALL_TLS_CERT and SERVICEHALL_TLS_KEY.',
    otherHallKey: '{file} was sealed with another hall key (another hall’s backup, or one from before the key changed): it does not go with {key}, and the hub would not start on it. The data folder was not changed; use a backup of this hall, or bring back the hall.key that goes with this one too.',
    unreadable: 'The hub cannot read the hall database {file} ({problem}): its disk may be full or read-only, the hub may lack the right to read and write it, or another program may hold it. The database was not changed and needs no restore; free some space, put the permissions right or close that program, then start the hub again.',
    dataFolder: 'The data folder {dir} cannot be made or written to ({problem}). Check that SERVICEHALL_DATA names a folder, on a disk that is mounted and writable, which the hub’s account may read and write.',
    backupDirNotFolder: '{dir} ({where}) is a file, not a folder, and backups go in a folder. Name a folder in {where}. Nothing was changed.',
    backupDirMissing: 'The backup folder {dir} ({where}) does not exist{parent}. Check the path, and that the network share or the backup disk is mounted. Nothing was changed.',
    backupDirDenied: 'The backup folder {dir} cannot be read or written ({problem}). Check that the account running this command may read and write it. Nothing was changed.',
    backupNoDatabase: 'There is no hall database in {dir} ({file}): nothing to back up. Check that SERVICEHALL_DATA names the hub’s data folder.',
    notHallKey: '{file} is not a hall key file (one line of 64 hexadecimal digits); the hub left it as it was. Restore hall.key from its backup, or name where it is in SERVICEHALL_KEY_FILE.',
    clockBehind: 'This PC’s clock is about {minutes} min behind the time the hall has already recorded (set back, or taken over from a hub whose clock ran ahead). The hub’s time does not go back: it goes on from the time recorded at half pace, so the queue’s order is kept and times measured meanwhile (services, a recall’s wait) count half; once the PC’s clock has caught up (in about twice the step) the hub follows the PC’s clock again. Check this PC’s time synchronisation (NTP).',
    clockFarBehind: 'This PC’s clock is about {hours} h behind the time the hall has already recorded: too far for a clock put right, more like a date set wrong. The hub follows the PC’s clock, but new tickets may come before those already waiting, and waits and service times may come out negative. Check this PC’s date and time now.',
    clockCaughtUp: 'This PC’s clock has caught up with the time the hall has recorded; the hub follows the PC’s clock again.',
    diskFull: '{why}: the hall database {file} cannot be written, and commands are refused (507 disk-full; terminals send citizens to the service desk). Every number and record already answered is kept, and the database is not damaged. The hub tries again every {seconds} s and goes on by itself once the disk takes writes. Free space on the disk, or check whether it became read-only or is failing.',
    diskWritable: 'The hub can write again (its disk took no writes for {seconds} s); commands are taken as before.',
    databaseGone: 'The hall database {file} was removed or moved while the hub ran (its data folder deleted, or its disk taken away). The hub takes no more commands (terminals send citizens to the service desk) and has saved the database it still holds open, every answered number in it, as {saved}. See that it is named hall.db in the data folder, put hall.key back (if it is gone too, the copy kept at installation), and restart the hub service.',
    databaseGoneUnsaved: 'The hall database {file} was removed or moved while the hub ran; the hub takes no more commands and could not save it anywhere. Do not stop the hub’s process: bring back the data folder’s disk first and call for support; otherwise restore the newest backup.',
    logUnwritable: 'The hub’s log file {file} cannot be written ({problem}): its disk may be full or read-only. The hub goes on serving; new lines are held in memory (up to 16 MB) and written to the file once the disk has room. Free space on the disk, or check it.',
    logWritableAgain: 'The hub’s log file {file} can be written again; {held}.',
    codesSpent: "{n} one-time codes went out today, the hall's daily cap (the catalogue's phone.codesPerDay): no more are sent today, and phones are pointed to the kiosk. If that many citizens did use their phones today, raise the cap in the console (Setup, Phone and bookings); if not, someone may be using the hall's SMS channel to send codes to many numbers. The addresses that asked for most codes today: {top}.",
  },
} as const;

export type OpsMessage = keyof (typeof OPS_TEXT)['en'];

/** A value said in each language: a problem put in Chinese words in the Chinese line, in English in the English one. */
export type Bilingual = { 'zh-CN': string; en: string };

/** One message in both languages, Chinese first, one line each. */
export function opsText(key: OpsMessage, values: Record<string, string | number | Bilingual> = {}): string {
  const fill = (text: string, language: keyof Bilingual) =>
    text.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = values[name];
      return value === undefined ? `{${name}}` : typeof value === 'object' ? value[language] : String(value);
    });
  return `${fill(OPS_TEXT['zh-CN'][key], 'zh-CN')}\n${fill(OPS_TEXT.en[key], 'en')}`;
}

/** 12.3 MB, 456 kB, 789 B. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}
