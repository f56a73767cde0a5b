"""Open Referral HSDS 3.1: the read-only HSDS API, export and import of the directory.

mapping/queries turn the directory's records (read through ``directory.api`` and
``calendars.api``) into HSDS records; reader/bundle turn records back into rows; writer hands
them to the directory and the calendars, which write their own tables; importer, export and
routes put these to work.
"""
