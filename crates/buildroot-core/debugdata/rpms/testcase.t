repo @System -99.-1000 testtags @System.repo.gz
repo repo2 -99.-500 testtags repo2.repo.gz
repo repo0 -99.-1000 testtags repo0.repo.gz
repo repo1 -2090.-1000 testtags repo1.repo.gz
system x86_64 rpm @System
poolflags implicitobsoleteusescolors whatprovideswithdisabled
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides cap17
job multiversion provides kernel
job multiversion provides kernel-PAE
job multiversion provides installonlypkg(kernel)
job multiversion provides installonlypkg(kernel-module)
job multiversion provides installonlypkg(vm)
job multiversion provides multiversion(kernel)
result transaction,problems solver.result
