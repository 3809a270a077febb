/**
 * IPv4 CIDR arithmetic for planning private subnets and checking that environments never overlap.
 * Inputs are expected to be syntactically valid CIDRs (the config schema checks that first).
 */

export interface Ipv4Block {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  readonly prefixLength: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

export function parseCidr(cidr: string): Ipv4Block {
  const match = IPV4_CIDR.exec(cidr);
  if (match === null) throw new Error(`"${cidr}" is not an IPv4 CIDR block like 10.20.0.0/16`);
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefixLength > 32) {
    throw new Error(`"${cidr}" is not an IPv4 CIDR block like 10.20.0.0/16`);
  }
  const address = octets.reduce((value, octet) => value * 256 + octet, 0);
  const network = address - (address % blockSize(prefixLength));
  if (network !== address) {
    throw new Error(`"${cidr}" has host bits set; the network address is ${formatAddress(network)}/${prefixLength}`);
  }
  return { network, prefixLength };
}

export function formatCidr(block: Ipv4Block): string {
  return `${formatAddress(block.network)}/${block.prefixLength}`;
}

export function cidrsOverlap(a: string, b: string): boolean {
  const left = parseCidr(a);
  const right = parseCidr(b);
  const leftEnd = left.network + blockSize(left.prefixLength);
  const rightEnd = right.network + blockSize(right.prefixLength);
  return left.network < rightEnd && right.network < leftEnd;
}

/** The `index`-th block of `prefixLength + newBits` inside `cidr` (Terraform's cidrsubnet). */
export function subnetCidr(cidr: string, newBits: number, index: number): string {
  const parent = parseCidr(cidr);
  const prefixLength = parent.prefixLength + newBits;
  if (prefixLength > 32) throw new Error(`cannot split ${cidr} by ${newBits} more bits`);
  if (!Number.isInteger(index) || index < 0 || index >= 2 ** newBits) {
    throw new Error(`${cidr} split by ${newBits} bits has blocks 0..${2 ** newBits - 1}, not ${index}`);
  }
  return formatCidr({ network: parent.network + index * blockSize(prefixLength), prefixLength });
}

/** RFC 1918 private ranges: the only address space a network without internet access should use. */
const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

export function isPrivateCidr(cidr: string): boolean {
  const block = parseCidr(cidr);
  return PRIVATE_RANGES.some((range) => {
    const privateBlock = parseCidr(range);
    return (
      block.prefixLength >= privateBlock.prefixLength &&
      block.network - (block.network % blockSize(privateBlock.prefixLength)) === privateBlock.network
    );
  });
}

function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}
