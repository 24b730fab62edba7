"""pytest's settings for the case folders.

A case's world.py and checks.py are loaded by crmlab itself (crmlab._casemodules, as crmlab_cases.<id>.world),
never imported by pytest: pytest's own import (for --doctest-modules) would load them a second time under
another name, and their exercises and worlds would register twice. Their docstring examples run in
tests/test_case_contract.py (test_case_modules_docstring_examples) through crmlab's loader instead.
"""
collect_ignore_glob = ["*/world.py", "*/checks.py"]
