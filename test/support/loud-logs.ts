// Imported first by tests that read log lines: the logger reads its switches once, when loaded.
process.env.SAGEGATE_SILENT = '0';
