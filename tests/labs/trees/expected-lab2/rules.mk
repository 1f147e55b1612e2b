# Fixture .mk: a lab 1 block.
FLAGS := sol_lab1_mk
