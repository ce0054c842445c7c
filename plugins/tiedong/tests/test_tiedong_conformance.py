import baoxue_tiedong

from core.testing import conformance_suite

TestTiedongConformance = conformance_suite(baoxue_tiedong)
