import M2Commands

M2C.mainWithExitCode()
