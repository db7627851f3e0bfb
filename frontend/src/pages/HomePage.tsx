import { ApiResources } from '../components/ApiResources';
import { StatusPanel } from '../components/StatusPanel';

export function HomePage() {
  return (
    <div className="page-grid">
      <StatusPanel />
      <ApiResources />
    </div>
  );
}
