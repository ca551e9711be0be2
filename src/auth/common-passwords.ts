/**
 * The most common passwords of at least 8 characters, from public breach-frequency lists
 * (OWASP ASVS 5.0 V6.2.4 asks for such a list). Compared case-insensitively after NFC.
 */
const COMMON = `
password 12345678 123456789 1234567890 qwertyuiop password1 password12 password123 password!
passw0rd p@ssw0rd p@ssword 1password iloveyou iloveyou1 11111111 00000000 12341234 87654321
88888888 66666666 99999999 12121212 11223344 123123123 987654321 147258369 789456123 25802580
741852963 159753456 sunshine princess football football1 baseball baseball1 welcome1
welcome123 abc12345 abcd1234 qwerty123 qwerty12 qwertyui qwerty1234 1q2w3e4r 1q2w3e4r5t
1qaz2wsx zaq12wsx 12qwaszx 123qweasd qweasdzxc asdfghjkl asdfasdf zxcvbnm1 zxcvbnm123
trustno1 superman starwars whatever dragon123 letmein1 letmein123 admin123 admin1234
administrator changeme changeme123 computer corvette mercedes michelle jennifer jordan23
liverpool chelsea1 arsenal1 samsung1 internet master12 freedom1 monkey12 shadow12 lovelove
loveme123 pokemon1 minecraft secret123 hello123 hellohello test1234 testtest testing123
welcome! qazwsxedc 1234qwer qwer1234 q1w2e3r4 a1b2c3d4 aa123456 abc123456 password2
password01 mypassword letmein! batman123 iloveu123 123456789a a123456789 1234567890a
`
  .split(/\s+/)
  .filter(Boolean);

const LIST = new Set(COMMON);

export function isCommonPassword(password: string): boolean {
  return LIST.has(password.normalize('NFC').toLowerCase());
}
