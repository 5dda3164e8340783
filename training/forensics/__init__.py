"""Offline model building for authenticity (run by `credlift forensics train|calibrate|evaluate`, never at decision
time): generated training sets, the fusion, edit-trace and name-style models, the decisive checks' calibrations, and
the evaluations on generated and real sets. The product reads only what these write to tools/forensics/models/."""
