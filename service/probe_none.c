/* tlsward: off Windows there is no TLS stack of Windows' to probe with. */
#include <stddef.h>

#include "probe.h"

const struct tlsr_prober *tlsr_platform_prober(void)
{
	return NULL;
}
