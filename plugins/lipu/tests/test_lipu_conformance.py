import baoxue_lipu

from core.testing import conformance_suite

TestLipuConformance = conformance_suite(baoxue_lipu)
