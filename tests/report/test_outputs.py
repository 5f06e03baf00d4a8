"""Where a widget writes a document: by client and date, in the folder given, never over an earlier file."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings, strategies as st

from planner.report.outputs import document_path

# names as people type them: Chinese, Latin, digits, spaces, and the characters a file name may not hold
NAMES = st.text(alphabet=st.sampled_from(list("王小明李四张三 -_.") + list(string.ascii_letters + string.digits) + list('/\\:*?"<>|\x00\n')),
                max_size=40)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(client=NAMES, what=NAMES, anonymise=st.booleans())
def test_a_document_path_stays_in_its_folder_and_is_always_new(tmp_path, client, what, anonymise):
    folder = tmp_path / "reports"
    first = document_path(folder, client, [what], ".html", anonymise=anonymise, on="2026-12-06")
    second = document_path(folder, client, [what], ".html", anonymise=anonymise, on="2026-12-06")
    for path in (first, second):
        assert path.parent == folder and path.exists() and path.suffix == ".html"
        assert "/" not in path.name and "\\" not in path.name and "\x00" not in path.name and "\n" not in path.name
    assert first != second  # the second never replaces the first
    name = client.strip()
    if anonymise and len(name) > 1 and any("\u4e00" <= ch <= "\u9fff" for ch in name):
        for path in (first, second):
            assert name not in path.name and name.replace("/", "_") not in path.name
    first.unlink()
    second.unlink()
