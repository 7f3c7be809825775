"""IVR engine for the 12333 hotline: AGI wire, flow interpreter, call records."""

__version__ = "0.1.0"
