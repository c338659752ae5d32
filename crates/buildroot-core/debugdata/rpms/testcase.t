repo @System -99.-1000 testtags @System.repo.gz
repo repo1 -90.-1000 testtags repo1.repo.gz
repo repo0 -99.-1000 testtags repo0.repo.gz
system x86_64 rpm @System
poolflags implicitobsoleteusescolors whatprovideswithdisabled
disable pkg python3.12-92-2-1.x86_64@repo0
solverflags allowdowngrade allowvendorchange keepexplicitobsoletes bestobeypolicy keeporphans yumobsoletes
job install provides libc69.so.1()(64bit)
job install provides /usr/bin/f15 <IF> ((Z16 <IF> /usr/bin/f24) <ELSE> /usr/bin/f35)
job excludefromweak pkg Z122-1.0~rc1-2.x86_64@repo1
job excludefromweak pkg lib31-2.1-2.x86_64@repo1
job excludefromweak pkg lib48-1.0~rc1-1.x86_64@repo1
job excludefromweak pkg perl-38-2-1.noarch@repo1
job excludefromweak pkg py3-81-10-2.x86_64@repo1
job excludefromweak pkg python3-114-1.0-2.x86_64@repo1
job excludefromweak pkg python3-114-2-1.x86_64@repo1
job excludefromweak pkg python3-2-2.1-2.x86_64@repo1
job excludefromweak pkg python3.12-149-2-1.noarch@repo1
job excludefromweak pkg python3.12-18-1-2.noarch@repo1
job excludefromweak pkg python3.12-86-1-2.x86_64@repo1
job excludefromweak pkg tool126-2.1-1.i686@repo1
job excludefromweak pkg tool129-1.5-2.i686@repo1
job excludefromweak pkg tool43-10-1.i686@repo1
job excludefromweak pkg x36-10-1.x86_64@repo1
job excludefromweak pkg x82-1.0-2.noarch@repo1
job excludefromweak pkg Z104-1-1.noarch@repo0
job excludefromweak pkg Z70-1-2.noarch@repo0
job excludefromweak pkg perl-141-1.0-1.i686@repo0
job excludefromweak pkg perl-141-2.1-2.x86_64@repo0
job excludefromweak pkg py3-11-10-2.noarch@repo0
job excludefromweak pkg py3-113-2-1.i686@repo0
job excludefromweak pkg py3-21-2-2.x86_64@repo0
job excludefromweak pkg python3-55-10-1.x86_64@repo0
job excludefromweak pkg python3-79-1.0-2.i686@repo0
job excludefromweak pkg python3-90-1.0-2.x86_64@repo0
job excludefromweak pkg python3.12-73-1-2.x86_64@repo0
job excludefromweak pkg tool68-1-1.i686@repo0
job excludefromweak pkg x20-1-2.x86_64@repo0
job multiversion provides kernel
job multiversion provides kernel-PAE
job multiversion provides installonlypkg(kernel)
job multiversion provides installonlypkg(kernel-module)
job multiversion provides installonlypkg(vm)
job multiversion provides multiversion(kernel)
result transaction,problems solver.result
