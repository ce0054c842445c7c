import baoxue_suining

from core.testing import conformance_suite

TestSuiningConformance = conformance_suite(baoxue_suining)
