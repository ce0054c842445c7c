import baoxue_rongchang

from core.testing import conformance_suite

TestRongchangConformance = conformance_suite(baoxue_rongchang)
