import { describe, expect, it } from 'vitest';
import { body, Shape } from '../../../shared/1-ingest/cloudtrail/request-shape.ts';

describe('Shape.list: every list spelling CloudTrail uses', () => {
  it('reads an old-style {items: [...]} list with member paths', () => {
    // Prepare
    const shape = new Shape(
      { items: [{ cidrIp: '10.0.0.0/8' }, { cidrIp: '0.0.0.0/0' }] },
      '/requestParameters/ipRanges',
    );
    // Act
    const members = shape.list();
    // Assess
    expect(members.map((m) => m.field('cidrIp').str())).toEqual(['10.0.0.0/8', '0.0.0.0/0']);
    expect(members[1]!.path).toBe('/requestParameters/ipRanges/items/1');
  });

  it('unwraps {tag, content} members in an array and a single member without an array', () => {
    // Prepare
    const many = new Shape(
      [
        { tag: 1, content: 'fl-1' },
        { tag: 2, content: 'fl-2' },
      ],
      '/r/FlowLogId',
    );
    const single = new Shape({ tag: 1, content: 'fl-3' }, '/r/FlowLogId');
    // Act
    const fromMany = many.list().map((m) => m.str());
    const fromSingle = single.list();
    // Assess
    expect(fromMany).toEqual(['fl-1', 'fl-2']);
    expect(fromSingle.map((m) => m.str())).toEqual(['fl-3']);
    expect(fromSingle[0]!.path).toBe('/r/FlowLogId/content');
  });

  it('keeps a single tagged object member as an object', () => {
    // Prepare
    const shape = new Shape(
      { tag: 1, SecurityGroupRuleId: 'sgr-1', SecurityGroupRule: { IpProtocol: 'tcp' } },
      '/r/SecurityGroupRule',
    );
    // Act
    const members = shape.list();
    // Assess
    expect(members).toHaveLength(1);
    expect(members[0]!.field('securityGroupRuleId').str()).toBe('sgr-1');
  });

  it('treats absent, "", {} and {items: null} as empty, and reads {item: ...} response lists', () => {
    // Prepare / Act / Assess
    expect(new Shape(undefined, '/x').list()).toEqual([]);
    expect(new Shape('', '/x').list()).toEqual([]);
    expect(new Shape({}, '/x').list()).toEqual([]);
    expect(new Shape({ items: null }, '/x').list()).toEqual([]);
    expect(new Shape({ item: ['a', 'b'] }, '/x').list().map((m) => m.str())).toEqual(['a', 'b']);
    expect(new Shape({ item: 'a' }, '/x').list().map((m) => m.str())).toEqual(['a']);
  });
});

describe('Shape scalars and fields', () => {
  it('matches field names case-insensitively so old and wrapped spellings are one field', () => {
    // Prepare
    const old = new Shape({ groupId: 'sg-1' }, '/requestParameters');
    const wrapped = new Shape({ GroupId: 'sg-2' }, '/requestParameters/XRequest');
    // Act / Assess
    expect(old.field('groupId').str()).toBe('sg-1');
    expect(wrapped.field('groupId').str()).toBe('sg-2');
    expect(wrapped.field('groupId').path).toBe('/requestParameters/XRequest/GroupId');
    expect(old.field('missing').path).toBe('/requestParameters/missing');
  });

  it('reads numbers from strings, booleans from {value}/{Value}/"true", strings from {content}', () => {
    // Prepare / Act / Assess
    expect(new Shape('443', '/p').num()).toBe(443);
    expect(new Shape('x', '/p').num()).toBeUndefined();
    expect(new Shape({ value: true }, '/p').bool()).toBe(true);
    expect(new Shape({ Value: false }, '/p').bool()).toBe(false);
    expect(new Shape('true', '/p').bool()).toBe(true);
    expect(new Shape({ tag: 1, content: 'arn:aws:iam::1:root' }, '/p').str()).toBe('arn:aws:iam::1:root');
    expect(new Shape(123456789012, '/p').str()).toBe('123456789012');
    expect(new Shape('', '/p').str()).toBeUndefined();
    expect(new Shape('', '/p').rawStr()).toBe('');
  });
});

describe('body: the <Action>Request / Response wrapper', () => {
  it('unwraps the exact wrapper name, an abbreviated single *Req key, and leaves plain params alone', () => {
    // Prepare
    const exact = new Shape({ ModifyVpcEndpointRequest: { VpcEndpointId: 'vpce-1' } }, '/requestParameters');
    const abbreviated = new Shape(
      { DelTGwVpcAttachReq: { TransitGatewayAttachmentId: 'tgw-attach-1' } },
      '/requestParameters',
    );
    const plain = new Shape({ vpcEndpointId: 'vpce-2', policyDocument: '{}' }, '/requestParameters');
    // Act
    const a = body(exact, 'ModifyVpcEndpoint', 'Request');
    const b = body(abbreviated, 'DeleteTransitGatewayVpcAttachment', 'Request');
    const c = body(plain, 'ModifyVpcEndpoint', 'Request');
    // Assess
    expect(a.path).toBe('/requestParameters/ModifyVpcEndpointRequest');
    expect(a.field('vpcEndpointId').str()).toBe('vpce-1');
    expect(b.field('transitGatewayAttachmentId').str()).toBe('tgw-attach-1');
    expect(c.path).toBe('/requestParameters');
  });
});
