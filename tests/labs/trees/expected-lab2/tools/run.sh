#!/bin/sh
# Fixture shell: a lab 1 block in an executable file.
echo sol_lab1_sh
