from .test_section_three import year_of_requests  # noqa: F401 -- shared fixture
