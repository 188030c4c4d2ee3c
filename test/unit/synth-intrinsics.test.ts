import { createResolver, referencedLogicalId, UnresolvableValue } from '../../local/synth/intrinsics';

const resolver = createResolver(
  new Map([
    ['QueueTable1', { ref: 'local-queue', attributes: { Arn: 'arn:aws:dynamodb:local:000000000000:table/local-queue' } }],
    ['Users1', { ref: 'local_Users1' }],
  ]),
  { 'AWS::StackName': 'ConcertReservation-dev' },
  (id) => `resource ${id}`,
);

test('Ref, GetAtt, Join, Sub and Select become local values', () => {
  expect(resolver.resolve({ Ref: 'QueueTable1' })).toBe('local-queue');
  expect(resolver.resolve({ 'Fn::GetAtt': ['QueueTable1', 'Arn'] })).toBe('arn:aws:dynamodb:local:000000000000:table/local-queue');
  expect(resolver.resolve({ 'Fn::GetAtt': 'QueueTable1.Arn' })).toBe('arn:aws:dynamodb:local:000000000000:table/local-queue');
  expect(
    resolver.resolve({ 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: 'Users1' }]] }),
  ).toBe('https://cognito-idp.local.amazonaws.com/local_Users1');
  expect(resolver.resolve({ 'Fn::Sub': 'cdk-${AWS::AccountId}-${AWS::Region}-${QueueTable1}-${QueueTable1.Arn}' })).toBe(
    'cdk-000000000000-local-local-queue-arn:aws:dynamodb:local:000000000000:table/local-queue',
  );
  expect(resolver.resolve({ 'Fn::Sub': ['${Name}/x', { Name: { Ref: 'AWS::StackName' } }] })).toBe('ConcertReservation-dev/x');
  expect(resolver.resolve({ 'Fn::Select': [1, ['a', { Ref: 'Users1' }]] })).toBe('local_Users1');
  expect(resolver.resolve({ Variables: { A: '1', B: { Ref: 'QueueTable1' } } })).toEqual({ Variables: { A: '1', B: 'local-queue' } });
  expect(resolver.resolveString(300)).toBe('300');
});

test('what has no local counterpart is named, never guessed', () => {
  expect(() => resolver.resolve({ Ref: 'Bucket1' })).toThrow(new UnresolvableValue('resource Bucket1 has no local counterpart'));
  expect(() => resolver.resolve({ 'Fn::GetAtt': ['Users1', 'ProviderURL'] })).toThrow(
    'ProviderURL of resource Users1 has no local counterpart',
  );
  expect(() => resolver.resolve({ 'Fn::ImportValue': 'shared-table' })).toThrow('Fn::ImportValue is not evaluated locally');
  expect(() => resolver.resolveString(['a'])).toThrow(/is not a string/);
});

test('the logical id a Ref or GetAtt points at', () => {
  expect(referencedLogicalId({ Ref: 'A' })).toBe('A');
  expect(referencedLogicalId({ 'Fn::GetAtt': ['B', 'Arn'] })).toBe('B');
  expect(referencedLogicalId({ 'Fn::GetAtt': 'C.Arn' })).toBe('C');
  expect(referencedLogicalId('arn:aws:lambda:…')).toBeUndefined();
});
