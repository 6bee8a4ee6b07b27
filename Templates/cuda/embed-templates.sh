#!/bin/sh
# Regenerates Sources/M2TargetCUDA/EmbeddedTemplates.swift from the files in this directory (Templates/embed-templates.sh).
exec sh "$(dirname "$0")/../embed-templates.sh" cuda M2TargetCUDA embeddedCUDATemplates CUDA
