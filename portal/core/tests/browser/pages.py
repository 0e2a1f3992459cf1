"""What browser tests of the portal's pages do alike."""


def choose_file_and_upload(page, file_name, data):
    """Choose `data` as the file of an upload page's form, named `file_name`, and send it."""
    page.locator("input[type=file]").set_input_files(
        files=[{"name": file_name, "mimeType": "application/octet-stream", "buffer": data}]
    )
    page.get_by_role("button", name="Upload").click()
