"""Measure the judge: run it against the mock (it must pass) and against deliberately faulty servers
(each must be caught). The rules in contracts.checks know nothing of this package.
"""
