"""ISOs and FTP servers (the ISOs issue)."""
