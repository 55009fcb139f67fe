"""Sitroom core: pure logic (records, normalisation, entity matching, analytics, URL state, figures).

Nothing in this package touches the network, the disk or streamlit; loaders/ and ui/ do.
"""

__version__ = "0.1.0"
