#!/bin/sh
# tests/suite_golden.sh -- the golden pairs (see tests/golden.sh).
exec sh tests/golden.sh
