"""Server templates (seed 003's 模板): an image, a flavor, a system disk and a network an
operator saves to create servers from. models.py has the table (made by the images app:
images_servertemplate), services.py the checks and saving, admin.py its admin pages; the
API is in portal/servers/api/.
"""
