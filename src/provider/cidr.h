/*
 * cidr.h: the address block of the subnet a provider makes in each region
 * (GCP, Azure: one subnet per Region or Location entry, in its order), so
 * that every cloud lays its subnets out the same way and a test world's
 * 198.18.0.0/24 can be given as net_subnet_cidr.
 */
#ifndef ICM_PROVIDER_CIDR_H
#define ICM_PROVIDER_CIDR_H

#include "../icm.h"
#include "../config/plan.h"

/*
 * The CIDR of region i's subnet (allocated): node n's net_subnet_cidr
 * block moved i blocks of its own size on, or 10.0.<i>.0/24 without one.
 * NULL reported (error()) when net_subnet_cidr is not an IPv4 CIDR of /8
 * to /29 or the block would pass 255.255.255.255.
 */
char *provider_subnet_cidr(const struct node *n, size_t i);

#endif
