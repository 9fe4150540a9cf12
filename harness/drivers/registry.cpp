// The list of component runners. A new component adds its driver here.
#include "../driver.hpp"
#include "nullblk_driver.hpp"
#include "qrpanic_driver.hpp"
#include "ringbuf_driver.hpp"

namespace drvbench {

const char *better_name(Better b)
{
	return b == Better::Higher ? "higher" : "lower";
}

const std::vector<const Driver *> &all_drivers()
{
	static const QrpanicDriver qrpanic;
	static const RingbufDriver ringbuf;
	static const NullblkDriver nullblk;
	static const std::vector<const Driver *> drivers = {&qrpanic, &nullblk, &ringbuf};
	return drivers;
}

const Driver *find_driver(const std::string &name)
{
	for (const Driver *d : all_drivers())
		if (d->name() == name)
			return d;
	return nullptr;
}

std::vector<std::string> driver_names()
{
	std::vector<std::string> v;
	for (const Driver *d : all_drivers())
		v.push_back(d->name());
	return v;
}

} // namespace drvbench
