#!/bin/sh
# Regenerates Sources/M2TargetCPU/EmbeddedTemplates.swift from the files in this directory (Templates/embed-templates.sh).
exec sh "$(dirname "$0")/../embed-templates.sh" cpu M2TargetCPU embeddedCPUTemplates CPU
