"""Where the directory comes from. Each source produces records in the import format for the one
loader, portal/importer/load.py (`replace_directory`): the same checks, one transaction, all or nothing.

- a file: portal/importer/ (`portal import`, streamed with ijson)
- SS 12000: portal/sources/ss12000/ (`portal sync ss12000`, read from the API over HTTPS)
"""
