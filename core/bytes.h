/* tlsward: little-endian packing. Registry data are little-endian whatever
 * the host is. */
#ifndef TLSR_BYTES_H
#define TLSR_BYTES_H

#include <stdint.h>

/* The 32-bit number stored little-endian at p (4 readable bytes). */
static inline uint32_t tlsr_le32_get(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Stores v little-endian at p (4 writable bytes). */
static inline void tlsr_le32_put(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* The 64-bit number stored little-endian at p (8 readable bytes). */
static inline uint64_t tlsr_le64_get(const uint8_t *p)
{
	return (uint64_t)tlsr_le32_get(p) | (uint64_t)tlsr_le32_get(p + 4) << 32;
}

/* Stores v little-endian at p (8 writable bytes). */
static inline void tlsr_le64_put(uint8_t *p, uint64_t v)
{
	tlsr_le32_put(p, (uint32_t)v);
	tlsr_le32_put(p + 4, (uint32_t)(v >> 32));
}

#endif
