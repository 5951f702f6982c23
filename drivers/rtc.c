/*
 * rtc.c — read the MC146818-compatible CMOS clock. The time is read twice
 * until two reads agree and no update was in progress, as the datasheet
 * requires; BCD and 12-hour modes are decoded from status register B.
 */
#include "drivers/rtc.h"
#include "arch/x86_64/cpu.h"

static uint8_t cmos(uint8_t reg)
{
    outb(0x70, reg);
    return inb(0x71);
}

typedef struct { uint8_t sec, min, hour, day, mon, year, century; } RtcRaw;

static int read_raw(RtcRaw *r)
{
    for (int i = 0; i < 100000 && (cmos(0x0a) & 0x80); i++)
        cpu_relax();
    if (cmos(0x0a) & 0x80)
        return -1;
    r->sec = cmos(0x00); r->min = cmos(0x02); r->hour = cmos(0x04);
    r->day = cmos(0x07); r->mon = cmos(0x08); r->year = cmos(0x09);
    r->century = cmos(0x32);
    return 0;
}

static int same(const RtcRaw *a, const RtcRaw *b)
{
    return a->sec == b->sec && a->min == b->min && a->hour == b->hour && a->day == b->day &&
           a->mon == b->mon && a->year == b->year && a->century == b->century;
}

static unsigned bcd(uint8_t v) { return (v & 0x0f) + (v >> 4) * 10u; }

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

int64_t rtc_read_unix_seconds(void)
{
    RtcRaw a, b;
    int tries = 0;
    do {
        if (read_raw(&a) < 0 || read_raw(&b) < 0 || ++tries > 10)
            return -1;
    } while (!same(&a, &b));
    uint8_t regb = cmos(0x0b);
    int is_bcd = !(regb & 0x04), pm = a.hour & 0x80;
    unsigned sec = a.sec, min = a.min, hour = a.hour & 0x7f, day = a.day, mon = a.mon,
             year = a.year, century = a.century;
    if (is_bcd) {
        sec = bcd((uint8_t)sec); min = bcd((uint8_t)min); hour = bcd((uint8_t)hour);
        day = bcd((uint8_t)day); mon = bcd((uint8_t)mon); year = bcd((uint8_t)year);
        century = bcd((uint8_t)century);
    }
    if (!(regb & 0x02)) {                          /* 12-hour clock */
        hour %= 12;
        if (pm) hour += 12;
    }
    if (century < 19 || century > 99)
        century = 20;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60)
        return -1;
    int64_t days = days_from_civil((int64_t)century * 100 + year, mon, day);
    return days * 86400 + hour * 3600 + min * 60 + sec;
}
