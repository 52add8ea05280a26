// A deterministic YAML emitter for the rules files, so they read like hand-written ones:
// strings single-quoted (only ' is escaped, as ''), multi-line strings as literal blocks (|-) so PromQL
// stays readable, keys in the order of `keyOrder` (Prometheus and Kubernetes order) instead of
// jsonnet's alphabetical one, unknown keys after them alphabetically. Debian's jsonnet 0.18
// std.manifestYamlDoc escapes quotes and newlines inside double-quoted strings instead.
local keyOrder = [
  'apiVersion', 'kind', 'metadata', 'spec', 'groups', 'name', 'interval', 'rules', 'record', 'alert',
  'expr', 'for', 'keep_firing_for', 'labels', 'annotations', 'summary', 'description', 'runbook_url',
  'app.kubernetes.io/name', 'app.kubernetes.io/component',
];
local rank(k) =
  local i = std.find(k, keyOrder);
  if std.length(i) > 0 then '%03d' % i[0] else '999' + k;
local orderedKeys(o) = std.sort(std.objectFields(o), rank);

local plainKeyChar(c) = std.member('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./-', c);
local quote(s) = "'" + std.strReplace(s, "'", "''") + "'";
local key(k) =
  if std.length(k) > 0 && std.member('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_', k[0])
     && std.length(std.filter(function(c) !plainKeyChar(c), std.stringChars(k))) == 0
  then k else quote(k);

local scalar(v) =
  if std.isBoolean(v) then (if v then 'true' else 'false')
  else if std.isNumber(v) then (if std.floor(v) == v then '%d' % v else '%g' % v)
  else if std.isString(v) then (
    assert std.length(std.findSubstr('\n', v)) == 0 : 'multi-line strings are blocks';
    quote(v)
  )
  else error 'unsupported value ' + std.toString(v);

local pad(n) = std.repeat(' ', n);
local block(s, indent) =
  ' |-\n' + std.join('\n', [if l == '' then '' else pad(indent) + l for l in std.split(std.rstripChars(s, '\n'), '\n')]);

local isMultiline(v) = std.isString(v) && std.length(std.findSubstr('\n', v)) > 0;

// Lines of `head` followed by value v; head is "key:" or "- key:" with its indentation.
local entry(head, v, indent) =
  if std.isObject(v) then
    (if std.length(v) == 0 then [head + ' {}'] else [head] + emit(v, indent + 2))
  else if std.isArray(v) then
    (if std.length(v) == 0 then [head + ' []'] else [head] + emit(v, indent))
  else if isMultiline(v) then [head + block(v, indent + 2)]
  else [head + ' ' + scalar(v)],

emit(v, indent) =
  if std.isObject(v) then
    std.flattenArrays([entry(pad(indent) + key(k) + ':', v[k], indent) for k in orderedKeys(v)])
  else if std.isArray(v) then
    std.flattenArrays([
      if std.isObject(item) && std.length(item) > 0 then
        local ks = orderedKeys(item);
        std.flattenArrays([
          entry(pad(indent) + (if i == 0 then '- ' else '  ') + key(ks[i]) + ':', item[ks[i]], indent + 2)
          for i in std.range(0, std.length(ks) - 1)
        ])
      else if std.isObject(item) || std.isArray(item) then error 'nested empty or list-in-list values are not supported'
      else [pad(indent) + '- ' + scalar(item)]
      for item in v
    ])
  else error 'top level must be a mapping or a list';

{
  // The YAML text of value, with each line of `header` as a comment on top.
  manifest(value, header='')::
    std.join('\n', [if l == '' then '#' else '# ' + l for l in std.split(header, '\n') if header != '']
                   + emit(value, 0)) + '\n',
}
