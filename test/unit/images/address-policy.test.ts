import { hostMatches, isPublicAddress } from '../../../lambda/images/address-policy.js';

describe('the address policy for image fetches', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fd12:3456::1',
    'fc00::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:10.1.1.1',
    '64:ff9b::a00:1',
    '2002:a00:1::1',
    '2001:0:4136:e378:8000:63bf:3fff:fdd2',
    'not-an-ip',
  ])('refuses %s', (address) => expect(isPublicAddress(address)).toBe(false));

  it.each(['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) =>
    expect(isPublicAddress(address)).toBe(true),
  );

  it('matches hosts exactly or by *. suffix', () => {
    expect(hostMatches('images.corp.example', ['images.corp.example'])).toBe(true);
    expect(hostMatches('a.cdn.example', ['*.cdn.example'])).toBe(true);
    expect(hostMatches('cdn.example', ['*.cdn.example'])).toBe(false);
    expect(hostMatches('evilimages.corp.example', ['images.corp.example'])).toBe(false);
  });
});
