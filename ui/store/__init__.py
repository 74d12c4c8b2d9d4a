"""The class store: class sessions, their students and answers, and finished models kept by id, in a real
database (SQLite by default, PostgreSQL through CONVLAB_DATABASE_URL). See ui/store/db.py for where it lives.

An app concern, so it lives in ui/ and convlab never sees it. Every function raises ClassError (a
ConvlabError) with a message a page can show as it is: a bad code, a taken nickname, a closed class, too many
tries (RateLimited), an unreachable database (StoreUnavailable).
"""

from ui.store.classes import (ClassInfo, Seat, Submission, check_nickname, close_class, code_or_none, create_class,
                              delete_class, format_code, join, lookup, parse_code, purge_expired, reveal, seat,
                              share_model, submit, teacher_class)
from ui.store.db import ClassError, StoreUnavailable, data_dir, database_url, retention_days
from ui.store.limits import RateLimited
from ui.store.models import StoredModel, load_model_bytes, save_model_bytes, valid_id
from ui.store.report import Report, class_csv, class_report

__all__ = ["ClassInfo", "Seat", "Submission", "Report", "StoredModel", "ClassError", "StoreUnavailable", "RateLimited",
           "create_class", "lookup", "join", "seat", "submit", "reveal", "teacher_class", "close_class", "delete_class",
           "share_model", "purge_expired", "class_report", "class_csv", "save_model_bytes", "load_model_bytes",
           "valid_id", "parse_code", "code_or_none", "format_code", "check_nickname", "data_dir", "database_url",
           "retention_days"]
