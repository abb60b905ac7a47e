"""studyapp: a terminal study tool for the JDLA E資格 exam."""

__version__ = "0.1.0"
