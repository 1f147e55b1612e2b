/**
 * @file
 * @brief The console on a 16550 UART: COM1 at I/O port 0x3f8.
 *
 * Polled output only: write a byte when the transmitter holding register
 * is empty. Input arrives in lab 4 with the console_io hypercall.
 * Register map: the National Semiconductor PC16550D data sheet.
 */
#include <asm/io.h>
#include <hospes/console.h>

#define COM1_BASE  0x3f8  /**< first I/O port of COM1 */
#define UART_CLOCK 115200 /**< the divisor latch counts this rate */
#define UART_BAUD  115200 /**< the line speed we program */

/** @name Register offsets from the base port */
/**@{*/
#define UART_THR 0 /**< transmit holding (write) */
#define UART_DLL 0 /**< divisor latch low (when DLAB = 1) */
#define UART_IER 1 /**< interrupt enable */
#define UART_DLM 1 /**< divisor latch high (when DLAB = 1) */
#define UART_FCR 2 /**< FIFO control (write) */
#define UART_LCR 3 /**< line control */
#define UART_MCR 4 /**< modem control */
#define UART_LSR 5 /**< line status */
/**@}*/

#define LCR_8N1     0x03 /**< 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB    0x80 /**< divisor latch access */
#define FCR_ENABLE  0x07 /**< enable and clear both FIFOs */
#define MCR_DTR_RTS 0x03 /**< tell the other end we are here */
#define LSR_DR      0x01 /**< a received byte is waiting */
#define LSR_THRE    0x20 /**< transmit holding register empty */

void console_init(void)
{
    unsigned int divisor = UART_CLOCK / UART_BAUD;

    outb(COM1_BASE + UART_IER, 0); /* polled: no interrupts */
    outb(COM1_BASE + UART_LCR, LCR_DLAB);
    outb(COM1_BASE + UART_DLL, divisor & 0xff);
    outb(COM1_BASE + UART_DLM, divisor >> 8);
    outb(COM1_BASE + UART_LCR, LCR_8N1); /* also clears DLAB */
    outb(COM1_BASE + UART_FCR, FCR_ENABLE);
    outb(COM1_BASE + UART_MCR, MCR_DTR_RTS);
}

/** Send one byte, waiting for room in the transmitter. */
static void uart_putc(char c)
{
    while (!(inb(COM1_BASE + UART_LSR) & LSR_THRE))
        ;
    outb(COM1_BASE + UART_THR, c);
}

void console_write(const char *s, size_t len)
{
    while (len--) {
        if (*s == '\n')
            uart_putc('\r');
        uart_putc(*s++);
    }
}

int console_getc(void)
{
    if (!(inb(COM1_BASE + UART_LSR) & LSR_DR))
        return -1;
    return inb(COM1_BASE + UART_THR); /* the receive buffer, on reads */
}
