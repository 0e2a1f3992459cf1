"""ISOs: admin (FTP servers, ISO sync, upload and mounts come with the ISOs issue)."""
