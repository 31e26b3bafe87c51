/** A Directory for the security tests: the `@acme/dba` team (dana-lee, riley-park) and `@ops`. */
export const directoryYaml = `apiVersion: runbook/v1
kind: Directory
metadata: { name: dir, owner: "@acme/dba" }
spec:
  people:
    dana-lee: { name: Dana Lee, github: "@dana-lee" }
    riley-park: { name: Riley Park, github: "@riley-park" }
    ops: { name: Ops, github: "@ops" }
  teams:
    dba: { name: DBA, github: "@acme/dba", members: [dana-lee, riley-park] }
`;
